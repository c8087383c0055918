// DPIA data residency: the built-in "Allowed locations" policy (effect Deny) on the resource group, so
// nothing in it can be created outside the UK, whether by this template, the portal or a script.
// The definition itself excludes 'global' resources (none here). Assigning it needs Owner or
// Resource Policy Contributor on the subscription; a new assignment takes up to 30 minutes to bite.

param allowedLocations array

var allowedLocationsDefinitionId = tenantResourceId(
  'Microsoft.Authorization/policyDefinitions',
  'e56962a6-4747-49cd-b67b-bf8b01975c4c'
)

resource allowedLocationsAssignment 'Microsoft.Authorization/policyAssignments@2022-06-01' = {
  name: 'allowed-locations-uk-only'
  properties: {
    displayName: 'Allowed locations: UK only (DPIA data residency)'
    description: 'Children\'s personal data must stay in the UK: resources may only be created in UK regions.'
    policyDefinitionId: allowedLocationsDefinitionId
    enforcementMode: 'Default'
    parameters: {
      listOfAllowedLocations: {
        value: allowedLocations
      }
    }
    nonComplianceMessages: [
      {
        message: 'DPIA: Children\'s University Online resources must be in a UK region.'
      }
    ]
  }
}

output id string = allowedLocationsAssignment.id
