// Children's University Online: the Azure estate for the Functions API (azd: `azd up`, see README.md).
// DPIA: pupils' personal data must stay in the UK, so every resource is placed in `location`, which only
// accepts UK regions, and an "Allowed locations" policy on the resource group denies anything else.

targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name; it names the resource group and seeds every resource name.')
param environmentName string

@description('Region for every resource. UK only (DPIA); UK South has availability zones, UK West does not.')
@allowed([
  'uksouth'
  'ukwest'
])
param location string = 'uksouth'

@description('Resource group to create or reuse; empty means rg-<environmentName>.')
param resourceGroupName string = ''

@description('False for the first provision; true once code containing ingest_mis_upload has been deployed.')
param deployEventGrid bool = false

@description('Set by azd from this template\'s TOKEN_SIGNING_KEY_EXISTS output; false writes a new signing key.')
param tokenSigningKeyExists bool = false

@secure()
@description('Generated at deploy time; stored only in Key Vault, written only when tokenSigningKeyExists is false.')
param tokenSigningKey string = '${newGuid()}${newGuid()}${newGuid()}'

@description('Public URL (PUBLIC_BASE_URL, TOKEN_ISSUER) that invitation links and login cards send people to; empty means the Static Web App\'s URL when it is deployed, else the Function App\'s.')
param publicBaseUrl string = ''

@description('Comma-separated browser origins allowed to call the API, e.g. https://app.example.org.')
param corsAllowedOrigins string = ''

// The web client on Azure Static Web Apps. Off by default: Static Web Apps are not offered in any UK region,
// so turning it on puts the site (static files, no personal data; but it sees visitors' IP addresses) in a
// region outside the UK. That is the controller's DPIA decision (infra/README.md, "Web client").
@description('Deploy web/ to an Azure Static Web App in its own resource group, outside the UK-only policy.')
param deployStaticWebApp bool = false
@description('Region of the Static Web App when deployStaticWebApp is true: one where the service is offered.')
param staticWebAppLocation string = ''

param tokenAudience string = 'cu-online-api'

// Retention (DESIGN.md section 7). These are DPIA decisions: change them here, in review, not per environment.
@description('NCRONTAB schedule (UTC) of the retention_run timer.')
param retentionSchedule string = '0 0 2 * * *'
@minValue(0)
param leaverGraceDays int = 30
@minValue(0)
param schoolExitGraceDays int = 30
@minValue(1)
param staffInactiveMonths int = 24
@minValue(1)
param auditRetentionMonths int = 24
@minValue(1)
param uploadSweepHours int = 24

@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 100

var ukRegions = [
  'uksouth'
  'ukwest'
]
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}
var functionAppName = 'func-cuo-${resourceToken}'
var deploymentContainerName = 'app-package-${take(functionAppName, 32)}-${take(resourceToken, 7)}'
var corsOrigins = map(filter(split(corsAllowedOrigins, ','), origin => !empty(trim(origin))), origin => trim(origin))
var groupName = !empty(resourceGroupName) ? resourceGroupName : 'rg-${environmentName}'
var webGroupName = '${groupName}-web'

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: groupName
  location: location
  tags: tags
}

module policy 'modules/policy.bicep' = {
  name: 'allowed-locations'
  scope: rg
  params: {
    allowedLocations: ukRegions
  }
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: 'id-api-${resourceToken}'
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    workspaceName: 'log-${resourceToken}'
    appInsightsName: 'appi-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: 'st${resourceToken}'
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    name: 'kv-${resourceToken}'
    location: location
    tags: tags
    tokenSigningKey: tokenSigningKey
    writeTokenSigningKey: !tokenSigningKeyExists
  }
}

module roles 'modules/roles.bicep' = {
  name: 'roles'
  scope: rg
  params: {
    principalId: identity.outputs.principalId
    storageAccountName: storage.outputs.name
    keyVaultName: keyVault.outputs.name
    appInsightsName: monitoring.outputs.appInsightsName
  }
}

module email 'modules/email.bicep' = {
  name: 'email'
  scope: rg
  params: {
    emailServiceName: 'ecs-${resourceToken}'
    communicationServiceName: 'acs-${resourceToken}'
    tags: tags
    principalId: identity.outputs.principalId
  }
}

// Only the web client's static files live here, so the group is not under the UK-only policy of `rg`; the
// group's own metadata stays in the UK.
resource webRg 'Microsoft.Resources/resourceGroups@2024-03-01' = if (deployStaticWebApp) {
  name: webGroupName
  location: location
  tags: tags
}

module staticWebApp 'modules/staticwebapp.bicep' = if (deployStaticWebApp) {
  name: 'static-web-app'
  scope: webRg
  params: {
    name: 'stapp-${resourceToken}'
    location: staticWebAppLocation
    tags: tags
  }
}

// With the web client on its own origin, the API lets it call, and invitation links and login cards point at it.
var webUri = deployStaticWebApp ? staticWebApp.outputs.uri : ''

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  scope: rg
  params: {
    name: functionAppName
    planName: 'plan-${resourceToken}'
    location: location
    tags: tags
    storageAccountName: storage.outputs.name
    deploymentContainerName: deploymentContainerName
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    appInsightsName: monitoring.outputs.appInsightsName
    tokenSigningKeySecretUri: keyVault.outputs.tokenSigningKeySecretUri
    publicBaseUrl: !empty(publicBaseUrl) ? publicBaseUrl : webUri
    corsAllowedOrigins: deployStaticWebApp ? union(corsOrigins, [webUri]) : corsOrigins
    tokenAudience: tokenAudience
    retentionSchedule: retentionSchedule
    leaverGraceDays: leaverGraceDays
    schoolExitGraceDays: schoolExitGraceDays
    staffInactiveMonths: staffInactiveMonths
    auditRetentionMonths: auditRetentionMonths
    uploadSweepHours: uploadSweepHours
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    mailAcsEndpoint: email.outputs.endpoint
    mailSender: email.outputs.senderAddress
  }
  // The host starts with identity-based storage and resolves the Key Vault reference: grant first.
  dependsOn: [
    roles
  ]
}

module misUploadEvents 'modules/mis-upload-events.bicep' = if (deployEventGrid) {
  name: 'mis-upload-events'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    functionAppName: functionApp.outputs.name
    systemTopicName: 'evgt-${resourceToken}'
    location: location
    tags: tags
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output SERVICE_API_URI string = functionApp.outputs.uri
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_USER_ASSIGNED_IDENTITY_NAME string = identity.outputs.name
// Read by infra/scripts/deploy-web.* (azure.yaml postdeploy); empty while the Static Web App is off.
output AZURE_STATIC_WEB_APP_NAME string = deployStaticWebApp ? staticWebApp.outputs.name : ''
output AZURE_STATIC_WEB_APP_RESOURCE_GROUP string = deployStaticWebApp ? webGroupName : ''
output SERVICE_WEB_URI string = webUri
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.appInsightsName
// Read back through main.parameters.json on the next provision, so the signing key is written only once.
output TOKEN_SIGNING_KEY_EXISTS bool = true
