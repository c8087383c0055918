# Deploys web/ to the Static Web App that `azd provision` made with DEPLOY_STATIC_WEB_APP=true (azure.yaml
# postdeploy hook; infra/README.md, "Web client"). Needs the Azure CLI (signed in) and Node.js (npx).
# The client is told where the API is (config.json), and the site sends a Content-Security-Policy that lets
# it talk to that API and nothing else.
$ErrorActionPreference = "Stop"
foreach ($name in "AZURE_STATIC_WEB_APP_NAME", "AZURE_STATIC_WEB_APP_RESOURCE_GROUP", "SERVICE_API_URI") {
  if (-not [Environment]::GetEnvironmentVariable($name)) { throw "$name is not set: provision with DEPLOY_STATIC_WEB_APP=true first" }
}
$api = $env:SERVICE_API_URI
$dist = Join-Path ([IO.Path]::GetTempPath()) ([IO.Path]::GetRandomFileName())
try {
  Copy-Item -Recurse -Path web -Destination $dist
  @{ api_base = "$api/api" } | ConvertTo-Json | Set-Content -Encoding utf8 (Join-Path $dist "config.json")
  @{ globalHeaders = @{
      "Content-Security-Policy" = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self' $api; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
      "X-Content-Type-Options" = "nosniff"
      "Referrer-Policy" = "no-referrer"
      "Permissions-Policy" = "camera=(), microphone=(), geolocation=()"
  } } | ConvertTo-Json -Depth 3 | Set-Content -Encoding utf8 (Join-Path $dist "staticwebapp.config.json")
  # The token goes to the CLI through its environment variable, not the command line.
  $env:SWA_CLI_DEPLOYMENT_TOKEN = az staticwebapp secrets list --name $env:AZURE_STATIC_WEB_APP_NAME `
    --resource-group $env:AZURE_STATIC_WEB_APP_RESOURCE_GROUP --query properties.apiKey --output tsv
  npx --yes @azure/static-web-apps-cli@2.0.10 deploy $dist --env production
} finally {
  Remove-Item Env:SWA_CLI_DEPLOYMENT_TOKEN -ErrorAction SilentlyContinue
  Remove-Item -Recurse -Force $dist -ErrorAction SilentlyContinue
}
