# azd postdeploy hook (Windows): the same as postdeploy.sh. Waits (at most 5 minutes) for the host's
# blobs_extension key, then deploys infra/postdeploy/mis-upload-subscription.bicep so that BlobCreated
# events under mis-uploads/ reach ingest_mis_upload. Needs the Azure CLI, signed in (az login).
$ErrorActionPreference = 'Stop'
foreach ($name in 'AZURE_RESOURCE_GROUP', 'AZURE_FUNCTION_APP_NAME', 'AZURE_EVENT_GRID_SYSTEM_TOPIC_NAME') {
  if (-not [Environment]::GetEnvironmentVariable($name)) { throw "$name is not set: run azd provision first" }
}
$attempt = 0
while ((az functionapp keys list --resource-group $env:AZURE_RESOURCE_GROUP --name $env:AZURE_FUNCTION_APP_NAME `
    --query "contains(keys(systemKeys), 'blobs_extension')" --output tsv 2>$null) -ne 'true') {
  $attempt++
  if ($attempt -gt 30) { throw "The blob extension key did not appear: is ingest_mis_upload deployed? Re-run ./infra/scripts/postdeploy.ps1" }
  Start-Sleep -Seconds 10
}
az deployment group create --resource-group $env:AZURE_RESOURCE_GROUP --name mis-upload-subscription `
  --template-file infra/postdeploy/mis-upload-subscription.bicep `
  --parameters systemTopicName=$env:AZURE_EVENT_GRID_SYSTEM_TOPIC_NAME functionAppName=$env:AZURE_FUNCTION_APP_NAME `
  --output none
if ($LASTEXITCODE -ne 0) { throw "deploying the MIS upload subscription failed" }
Write-Host "MIS uploads to mis-uploads/<school id>/ now reach ingest_mis_upload. Web client: $env:SERVICE_WEB_URI/"
