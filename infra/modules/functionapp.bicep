// Flex Consumption plan + the Python 3.11 Function App. Storage, the deployment package, Key Vault
// references and telemetry all use the user-assigned identity; no key or connection string is stored.

param name string
param planName string
param location string
param tags object

param storageAccountName string
param deploymentContainerName string
param identityId string
param identityClientId string
param appInsightsName string
param tokenSigningKeySecretUri string
param credentialSigningKeySecretUri string

@description('Public URL of the web client and API; empty means the Function App\'s own https://<name>.azurewebsites.net, which serves both.')
param publicBaseUrl string
@description('Browser origins allowed to call the API (platform CORS and CORS_ALLOWED_ORIGINS).')
param corsAllowedOrigins array
param tokenAudience string

param retentionSchedule string
param leaverGraceDays int
param schoolExitGraceDays int
param staffInactiveMonths int
param auditRetentionMonths int
param uploadSweepHours int

@description('Azure Communication Services endpoint and sender address for the app\'s email.')
param mailAcsEndpoint string
param mailSender string

@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int
// Flex Consumption refuses a cap below 40 instances.
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int

@description('Microsoft sign-in for staff: the app registration\'s client id; empty leaves SSO settings as they are.')
param ssoClientId string
@description('Authority, e.g. https://login.microsoftonline.com/<tenant id>.')
param ssoAuthority string
@description('Key Vault reference URI of the SSO client secret; empty leaves SSO_CLIENT_SECRET as it is.')
param ssoClientSecretUri string

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, {
    'azd-service-name': 'api'
  })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identityId
    publicNetworkAccess: 'Enabled'
    // Flex Consumption rejects ftpsState, alwaysOn, linuxFxVersion and the other settings that describe a
    // fixed worker (tests/infra/test_bicep.py lists them); FTP is off through basicPublishingCredentialsPolicies.
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      http20Enabled: true
      // Platform CORS answers preflights; when it is set, it takes precedence over any CORS code in the app.
      cors: {
        allowedOrigins: corsAllowedOrigins
        supportCredentials: false
      }
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'python'
        version: '3.11'
      }
    }
  }
}

var baseUrl = empty(publicBaseUrl) ? 'https://${functionApp.properties.defaultHostName}' : publicBaseUrl

// Flex Consumption takes the runtime from functionAppConfig: FUNCTIONS_WORKER_RUNTIME,
// FUNCTIONS_EXTENSION_VERSION and the WEBSITE_* content settings must not be set here.
var managedSettings = {
  AzureWebJobsStorage__accountName: storage.name
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  // The web client is served at `/` by the web_client function; the host's placeholder page never shows.
  AzureWebJobsDisableHomepage: 'true'
  CUO_ENVIRONMENT: 'production'
  TOKEN_SIGNING_KEY: '@Microsoft.KeyVault(SecretUri=${tokenSigningKeySecretUri})'
  CREDENTIAL_SIGNING_KEY: '@Microsoft.KeyVault(SecretUri=${credentialSigningKeySecretUri})'
  TOKEN_ISSUER: baseUrl
  TOKEN_AUDIENCE: tokenAudience
  PUBLIC_BASE_URL: baseUrl
  CORS_ALLOWED_ORIGINS: join(corsAllowedOrigins, ',')
  RETENTION_SCHEDULE: retentionSchedule
  LEAVER_GRACE_DAYS: string(leaverGraceDays)
  SCHOOL_EXIT_GRACE_DAYS: string(schoolExitGraceDays)
  STAFF_INACTIVE_MONTHS: string(staffInactiveMonths)
  AUDIT_RETENTION_MONTHS: string(auditRetentionMonths)
  UPLOAD_SWEEP_HOURS: string(uploadSweepHours)
  RETENTION_BATCH_LIMIT: '500'
  MAIL_ACS_ENDPOINT: mailAcsEndpoint
  MAIL_SENDER: mailSender
  MAIL_CLIENT_ID: identityClientId
  // %REPORTS_ROLLUP_SCHEDULE% must exist or the host will not start the reports_rollup timer.
  REPORTS_ROLLUP_SCHEDULE: '0 30 * * * *'
}

// SSO is set only when its parameters are given; otherwise what is there (e.g. set by hand) stays.
// Microsoft returns the browser to the web client at `/`, which hands code and state to the API.
var ssoSettings = union(
  empty(ssoClientId) ? {} : {
    SSO_CLIENT_ID: ssoClientId
    SSO_AUTHORITY: ssoAuthority
    SSO_REDIRECT_URI: '${baseUrl}/'
  },
  empty(ssoClientSecretUri) ? {} : {
    SSO_CLIENT_SECRET: '@Microsoft.KeyVault(SecretUri=${ssoClientSecretUri})'
  }
)

// Every provision merges into the settings the app already has, so a setting added by hand survives;
// the ones above win. A module, so that the current settings are read after the site exists.
module appSettings 'appsettings.bicep' = {
  name: '${name}-appsettings'
  params: {
    siteName: functionApp.name
    currentAppSettings: list('${functionApp.id}/config/appsettings', '2024-04-01').properties
    appSettings: union(managedSettings, ssoSettings)
  }
}

// azd deploys with an Entra ID token; FTP and SCM basic-auth publishing stay off.
resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: functionApp
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: functionApp
  name: 'scm'
  properties: {
    allow: false
  }
}

output name string = functionApp.name
output defaultHostName string = functionApp.properties.defaultHostName
output uri string = 'https://${functionApp.properties.defaultHostName}'
