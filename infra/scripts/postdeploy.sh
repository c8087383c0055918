#!/bin/sh
# azd postdeploy hook (azure.yaml): subscribes ingest_mis_upload to BlobCreated events under mis-uploads/.
# The subscription's webhook needs the host's blobs_extension key, which the host creates when it first
# runs code with the blob trigger, so this waits (at most 5 minutes) for the key before deploying
# infra/postdeploy/mis-upload-subscription.bicep. Re-running it is harmless (the deployment is idempotent).
# Needs the Azure CLI, signed in as the deployer (az login); no key or secret passes through this script.
set -eu
: "${AZURE_RESOURCE_GROUP:?not set: run azd provision first}"
: "${AZURE_FUNCTION_APP_NAME:?not set: run azd provision first}"
: "${AZURE_EVENT_GRID_SYSTEM_TOPIC_NAME:?not set: run azd provision first}"

attempt=0
until az functionapp keys list --resource-group "$AZURE_RESOURCE_GROUP" --name "$AZURE_FUNCTION_APP_NAME" \
  --query "contains(keys(systemKeys), 'blobs_extension')" --output tsv 2>/dev/null | grep -qi true; do
  attempt=$((attempt + 1))
  if [ "$attempt" -gt 30 ]; then
    echo "The blob extension key did not appear: is ingest_mis_upload deployed? Re-run: sh infra/scripts/postdeploy.sh" >&2
    exit 1
  fi
  sleep 10
done

az deployment group create --resource-group "$AZURE_RESOURCE_GROUP" --name mis-upload-subscription \
  --template-file infra/postdeploy/mis-upload-subscription.bicep \
  --parameters systemTopicName="$AZURE_EVENT_GRID_SYSTEM_TOPIC_NAME" functionAppName="$AZURE_FUNCTION_APP_NAME" \
  --output none
echo "MIS uploads to mis-uploads/<school id>/ now reach ingest_mis_upload."
echo "Web client: ${SERVICE_WEB_URI:-}/  API: ${SERVICE_WEB_URI:-}/api"
