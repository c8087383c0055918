// Key Vault for the access-token signing key. RBAC only (no access policies), soft delete with purge
// protection, in the UK location. Public network access stays on because the Flex app is not
// VNet-integrated; nothing can read a secret without an Entra ID token and a data-plane role.

param name string
param location string
param tags object

@secure()
@description('Value for the token-signing-key secret; written only when writeTokenSigningKey is true.')
param tokenSigningKey string

@description('False once the secret exists, so a later provision keeps the key instead of rotating it.')
param writeTokenSigningKey bool

@secure()
@description('Value for the credential-signing-key secret (Open Badges); written only when writeCredentialSigningKey is true.')
param credentialSigningKey string

@description('False once the secret exists: rotating it would leave issued badges unverifiable.')
param writeCredentialSigningKey bool

@secure()
@description('Client secret of the staff SSO app registration; written only when not empty.')
param ssoClientSecret string

var tokenSigningKeySecretName = 'token-signing-key'
var ssoClientSecretName = 'sso-client-secret'
var credentialSigningKeySecretName = 'credential-signing-key'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    // The vault holds only a regenerable signing key (no personal data); 7 days frees the name of a
    // torn-down environment sooner while still allowing recovery from an accidental delete.
    softDeleteRetentionInDays: 7
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource tokenSigningKeySecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (writeTokenSigningKey) {
  parent: vault
  name: tokenSigningKeySecretName
  properties: {
    value: tokenSigningKey
    contentType: 'HS256 key for access tokens (TOKEN_SIGNING_KEY)'
  }
}

resource credentialSigningKeySecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (writeCredentialSigningKey) {
  parent: vault
  name: credentialSigningKeySecretName
  properties: {
    value: credentialSigningKey
    contentType: 'Secret the Open Badges Ed25519 key is derived from (CREDENTIAL_SIGNING_KEY)'
  }
}

resource ssoClientSecretValue 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(ssoClientSecret)) {
  parent: vault
  name: ssoClientSecretName
  properties: {
    value: ssoClientSecret
    contentType: 'Entra ID client secret for staff sign-in (SSO_CLIENT_SECRET)'
  }
}

output name string = vault.name
// Versionless, so the Function App follows the latest version after a rotation.
output tokenSigningKeySecretUri string = '${vault.properties.vaultUri}secrets/${tokenSigningKeySecretName}'
output credentialSigningKeySecretUri string = '${vault.properties.vaultUri}secrets/${credentialSigningKeySecretName}'
output ssoClientSecretUri string = '${vault.properties.vaultUri}secrets/${ssoClientSecretName}'
