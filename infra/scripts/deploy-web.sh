#!/bin/sh
# Deploys web/ to the Static Web App that `azd provision` made with DEPLOY_STATIC_WEB_APP=true (azure.yaml
# postdeploy hook; infra/README.md, "Web client"). Needs the Azure CLI (signed in) and Node.js (npx).
# The client is told where the API is (config.json), and the site sends a Content-Security-Policy that lets
# it talk to that API and nothing else.
set -eu
: "${AZURE_STATIC_WEB_APP_NAME:?not set: provision with DEPLOY_STATIC_WEB_APP=true first}"
: "${AZURE_STATIC_WEB_APP_RESOURCE_GROUP:?not set: provision with DEPLOY_STATIC_WEB_APP=true first}"
: "${SERVICE_API_URI:?not set: provision first}"

dist=$(mktemp -d)
trap 'rm -rf "$dist"' EXIT
cp -R web/. "$dist/"
printf '{\n  "api_base": "%s/api"\n}\n' "$SERVICE_API_URI" > "$dist/config.json"
cat > "$dist/staticwebapp.config.json" <<JSON
{
  "globalHeaders": {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self' $SERVICE_API_URI; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()"
  }
}
JSON

# The token goes to the CLI through its environment variable, not the command line (visible to `ps`).
SWA_CLI_DEPLOYMENT_TOKEN=$(az staticwebapp secrets list --name "$AZURE_STATIC_WEB_APP_NAME" \
  --resource-group "$AZURE_STATIC_WEB_APP_RESOURCE_GROUP" --query properties.apiKey --output tsv)
export SWA_CLI_DEPLOYMENT_TOKEN
npx --yes @azure/static-web-apps-cli@2.0.10 deploy "$dist" --env production
