// The web client (web/) on Azure Static Web Apps: static files only. No app settings, no managed functions,
// no linked backend: it stores and relays no personal data, because browsers call the API directly.
// Static Web Apps are not offered in any UK region, so main.bicep deploys this only on request, into a
// resource group of its own (see infra/README.md, "Web client").

@description('A region Static Web Apps are offered in (none is in the UK); chosen by whoever turns this on.')
param location string
param name string
param tags object

resource site 'Microsoft.Web/staticSites@2023-12-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: 'Free'
    tier: 'Free'
  }
  properties: {
    // Deployed by infra/scripts/deploy-web.* with the deployment token, not from a Git provider.
    provider: 'Custom'
    // No preview environments: they would be further public copies of the site.
    stagingEnvironmentPolicy: 'Disabled'
    allowConfigFileUpdates: true
  }
}

output name string = site.name
output uri string = 'https://${site.properties.defaultHostname}'
