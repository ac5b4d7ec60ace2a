/** ARM authorization: role assignments listed for a scope, and role definitions by id. */
import { armListReply } from "./armPaging";
import type { RequestContext, Route } from "./context";
import { errorReply, ok, type Reply } from "./replies";
import { builtInRoles, scopeCovers } from "./roles";
import type { RoleAssignmentState } from "./state";

const builtInIds = new Set(builtInRoles.map((r) => r.id));

export function routeAuthorization(context: RequestContext): Route | undefined {
  const at = context.lower.indexOf("microsoft.authorization");
  if (at < 1 || context.lower[at - 1] !== "providers" || context.method !== "GET") return undefined;
  const scope = context.segments
    .slice(0, at - 1)
    .map((s) => `/${s}`)
    .join("");
  const kind = context.lower[at + 1];
  const id = context.segments[at + 2];

  if (kind === "roleassignments" && context.lower.length === at + 2) {
    return { operation: "roleAssignments.list", handle: () => listAssignments(context, scope) };
  }
  if (kind === "roledefinitions" && id !== undefined && context.lower.length === at + 3) {
    return { operation: "roleDefinitions.get", handle: () => getDefinition(context, scope, id) };
  }
  return undefined;
}

/**
 * ARM answers assignments at, above and below the scope; `principalId eq` and `assignedTo`
 * narrow to one principal, `atScope()` to those at or above.
 */
function listAssignments(context: RequestContext, scope: string): Reply {
  const filter = (context.query.get("$filter") ?? "").trim();
  const principal = /^(?:principalId eq '([^']+)'|assignedTo\('([^']+)'\))$/i.exec(filter);
  const atScopeOnly = /^atScope\(\)$/i.test(filter);
  if (filter !== "" && principal === null && !atScopeOnly) {
    return errorReply(
      400,
      "UnsupportedQuery",
      `The stand-in does not support the filter '${filter}'.`,
    );
  }
  const principalId = principal?.[1] ?? principal?.[2];
  const candidates =
    principalId === undefined
      ? [...context.state.roleAssignmentsByName.values()]
      : (context.state.roleAssignmentsByPrincipal.get(principalId.toLowerCase()) ?? []);
  const related = candidates.filter(
    (a) => scopeCovers(a.scope, scope) || (!atScopeOnly && scopeCovers(scope, a.scope)),
  );
  return armListReply(context, related, assignmentBody);
}

function assignmentBody(assignment: RoleAssignmentState): Record<string, unknown> {
  const subscription = /^\/subscriptions\/[^/]+/i.exec(assignment.scope)?.[0] ?? "";
  return {
    id: assignment.id,
    name: assignment.name,
    type: "Microsoft.Authorization/roleAssignments",
    properties: {
      roleDefinitionId: `${subscription}/providers/Microsoft.Authorization/roleDefinitions/${assignment.roleDefinitionId}`,
      principalId: assignment.principalId,
      principalType: "ServicePrincipal",
      scope: assignment.scope,
      createdOn: assignment.createdOn.toISOString(),
      updatedOn: assignment.createdOn.toISOString(),
    },
  };
}

function getDefinition(context: RequestContext, scope: string, id: string): Reply {
  const role = context.state.roleDefinitions.get(id.toLowerCase());
  if (role === undefined) {
    return errorReply(
      404,
      "RoleDefinitionDoesNotExist",
      `The specified role definition with ID '${id}' does not exist.`,
    );
  }
  const builtIn = builtInIds.has(role.id);
  return ok({
    id: `${scope}/providers/Microsoft.Authorization/roleDefinitions/${role.id}`,
    name: role.id,
    type: "Microsoft.Authorization/roleDefinitions",
    properties: {
      roleName: role.roleName,
      type: builtIn ? "BuiltInRole" : "CustomRole",
      description: role.roleName,
      assignableScopes: ["/"],
      permissions: [
        {
          actions: [...role.actions],
          notActions: [],
          dataActions: [...role.dataActions],
          notDataActions: [...role.notDataActions],
        },
      ],
    },
  });
}
