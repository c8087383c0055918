// The Function App's app settings, written as the union of what the app has now and what the template
// manages (the template's values win), so that settings added outside the template survive a provision.

param siteName string
// Secure: they include Key Vault references and whatever was set by hand; kept out of deployment history.
@secure()
@description('The settings the app has now (list() of its config/appsettings, read by the caller).')
param currentAppSettings object
@secure()
@description('The settings the template manages.')
param appSettings object

resource site 'Microsoft.Web/sites@2024-04-01' existing = {
  name: siteName
}

resource settings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'appsettings'
  properties: union(currentAppSettings, appSettings)
}
