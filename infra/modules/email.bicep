// Azure Communication Services Email: invitations, password-reset links and alerts to staff.
// Communication resources are global resources whose data at rest stays where `dataLocation` says: the UK
// (DPIA). Sending uses the Function App's user-assigned identity (no connection string or access key): it
// holds a custom role with only what sending email needs, on this Communication Services resource. The role
// is defined here and assigned by email-sender.bicep, later in the deployment (see main.bicep).

param emailServiceName string
param communicationServiceName string
param tags object

resource emailService 'Microsoft.Communication/emailServices@2025-09-01' = {
  name: emailServiceName
  location: 'global'
  tags: tags
  properties: {
    dataLocation: 'UK'
  }
}

// An Azure-managed sender domain (DoNotReply@<guid>.azurecomm.net); a custom domain can replace it later.
resource domain 'Microsoft.Communication/emailServices/domains@2025-09-01' = {
  parent: emailService
  name: 'AzureManagedDomain'
  location: 'global'
  tags: tags
  properties: {
    domainManagement: 'AzureManaged'
    userEngagementTracking: 'Disabled'
  }
}

resource communication 'Microsoft.Communication/communicationServices@2025-09-01' = {
  name: communicationServiceName
  location: 'global'
  tags: tags
  properties: {
    dataLocation: 'UK'
    linkedDomains: [
      domain.id
    ]
    disableLocalAuth: true
  }
}

// Custom role names are unique in the whole tenant, so the name carries this resource group's own GUID (the
// role's id): two environments, or two subscriptions with a group of the same name, never collide.
var sendEmailRoleId = guid(resourceGroup().id, 'cuo-send-email')

resource sendEmailRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: sendEmailRoleId
  properties: {
    roleName: 'CU Online email sender ${sendEmailRoleId}'
    description: 'Send email through Azure Communication Services and nothing else (resource group ${resourceGroup().name}).'
    type: 'CustomRole'
    permissions: [
      {
        actions: [
          'Microsoft.Communication/CommunicationServices/Read'
          'Microsoft.Communication/CommunicationServices/Write'
          'Microsoft.Communication/EmailServices/write'
        ]
      }
    ]
    assignableScopes: [
      resourceGroup().id
    ]
  }
}

output endpoint string = 'https://${communication.properties.hostName}'
output senderAddress string = 'DoNotReply@${domain.properties.mailFromSenderDomain}'
output communicationServiceName string = communication.name
output sendEmailRoleDefinitionId string = sendEmailRole.id
