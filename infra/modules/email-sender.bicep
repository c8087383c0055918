// The Function App's identity gets the custom "email sender" role (email.bicep) on the Communication Services
// resource. A new role definition takes a while to replicate through Azure's role service, and an assignment
// that names it too early fails with RoleDefinitionDoesNotExist; main.bicep therefore deploys this module only
// after the Function App module, minutes after the definition. Should a deployment still meet the delay, run
// `azd provision` again: the definition and the assignment (a deterministic name) are both idempotent.

@description('Principal (object) id of the Function App\'s user-assigned identity.')
param principalId string
param communicationServiceName string
@description('Resource id of the custom email sender role definition (email.bicep).')
param sendEmailRoleDefinitionId string

resource communication 'Microsoft.Communication/communicationServices@2025-09-01' existing = {
  name: communicationServiceName
}

resource sendEmail 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(communication.id, principalId, sendEmailRoleDefinitionId)
  scope: communication
  properties: {
    roleDefinitionId: sendEmailRoleDefinitionId
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
