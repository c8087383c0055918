// The Function App's user-assigned managed identity: one identity for storage, Key Vault references,
// the Flex deployment package and Application Insights, so every grant is visible in modules/roles.bicep.

param name string
param location string
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output clientId string = identity.properties.clientId
output principalId string = identity.properties.principalId
