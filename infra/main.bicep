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

@description('Set by azd from this template\'s TOKEN_SIGNING_KEY_EXISTS output; false writes a new signing key.')
param tokenSigningKeyExists bool = false

@secure()
@description('Generated at deploy time; stored only in Key Vault, written only when tokenSigningKeyExists is false.')
param tokenSigningKey string = '${newGuid()}${newGuid()}${newGuid()}'

@description('Set by azd from this template\'s CREDENTIAL_SIGNING_KEY_EXISTS output; false writes a new Open Badges signing secret.')
param credentialSigningKeyExists bool = false

@secure()
@description('Secret the Ed25519 Open Badges key is derived from; generated at deploy time, stored only in Key Vault, written once.')
param credentialSigningKey string = '${newGuid()}${newGuid()}${newGuid()}'

@description('Public URL (PUBLIC_BASE_URL, TOKEN_ISSUER) that invitation links and login cards send people to; empty means the Function App\'s own URL, which serves the web client at / and the API at /api.')
param publicBaseUrl string = ''

@description('Comma-separated browser origins allowed to call the API, e.g. https://app.example.org.')
param corsAllowedOrigins string = ''

// Staff single sign-on with Microsoft Entra ID (optional). Empty values leave the app's SSO settings as
// they are, so settings made by hand are not wiped by the next provision.
@description('Entra ID app registration (client) id for staff sign-in; empty: SSO settings untouched.')
param ssoClientId string = ''
@description('Entra ID authority, e.g. https://login.microsoftonline.com/<tenant id>.')
param ssoAuthority string = ''
@secure()
@description('Client secret of that app registration; stored only in Key Vault. Empty: left as it is.')
param ssoClientSecret string = ''

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
// Flex Consumption refuses a cap below 40 instances.
@minValue(40)
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
// Access logs are kept as long as the app keeps its own audit trail (DESIGN.md section 7).
var auditLogDays = auditRetentionMonths * 31

resource rg 'Microsoft.Resources/resourceGroups@2025-04-01' = {
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
    credentialSigningKey: credentialSigningKey
    writeCredentialSigningKey: !credentialSigningKeyExists
    ssoClientSecret: ssoClientSecret
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
  }
}

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
    credentialSigningKeySecretUri: keyVault.outputs.credentialSigningKeySecretUri
    publicBaseUrl: publicBaseUrl
    corsAllowedOrigins: corsOrigins
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
    ssoClientId: ssoClientId
    ssoAuthority: ssoAuthority
    ssoClientSecretUri: empty(ssoClientSecret) ? '' : keyVault.outputs.ssoClientSecretUri
  }
  // The host starts with identity-based storage and resolves the Key Vault reference: grant first.
  dependsOn: [
    roles
  ]
}

// The custom email role is assigned only after the Function App module, which takes minutes: by then the new role
// definition has replicated (assigning it at once can fail with RoleDefinitionDoesNotExist). The app needs the
// role only when it sends its first email, never to start.
module emailSender 'modules/email-sender.bicep' = {
  name: 'email-sender'
  scope: rg
  params: {
    principalId: identity.outputs.principalId
    communicationServiceName: email.outputs.communicationServiceName
    sendEmailRoleDefinitionId: email.outputs.sendEmailRoleDefinitionId
  }
  dependsOn: [
    functionApp
  ]
}

// The Event Grid system topic of the storage account. Its subscription to ingest_mis_upload's webhook needs
// the host's blobs_extension key, which exists only once the code is deployed: azure.yaml's postdeploy
// hook creates it (infra/postdeploy/mis-upload-subscription.bicep), so one `azd up` wires everything.
module misUploadEvents 'modules/mis-upload-events.bicep' = {
  name: 'mis-upload-events'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    systemTopicName: 'evgt-${resourceToken}'
    location: location
    tags: tags
  }
}

// Platform access logs (Key Vault, storage data plane, Function App, Event Grid) to the workspace.
module diagnostics 'modules/diagnostics.bicep' = {
  name: 'diagnostics'
  scope: rg
  params: {
    workspaceName: monitoring.outputs.workspaceName
    storageAccountName: storage.outputs.name
    keyVaultName: keyVault.outputs.name
    functionAppName: functionApp.outputs.name
    systemTopicName: misUploadEvents.outputs.systemTopicName
    auditLogDays: auditLogDays
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
// The web client and the API share the Function App's origin: / is the web client, /api the API.
output SERVICE_WEB_URI string = functionApp.outputs.uri
// Read by the postdeploy hook (infra/scripts/postdeploy.*).
output AZURE_EVENT_GRID_SYSTEM_TOPIC_NAME string = misUploadEvents.outputs.systemTopicName
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.appInsightsName
// Read back through main.parameters.json on the next provision, so the signing key is written only once.
output TOKEN_SIGNING_KEY_EXISTS bool = true
output CREDENTIAL_SIGNING_KEY_EXISTS bool = true
