/**
 * The in-process stand-in for Azure. Start from `loadScenario` (or `buildFleet`), then
 * `createStandIn`, and hand its `httpClient` and `credential` to the real SDK clients.
 */
export { cloudEndpoints, type Cloud } from "./clouds";
export { fakeCredential, fakeToken } from "./credential";
export type { FaultAction, FaultHandle, FaultMatch, FaultRule } from "./faults";
export { buildFleet, fleetGuid, fleetTenantId, type FleetOptions } from "./fleet";
export type { RecordedRequest } from "./requestLog";
export { builtInRoles } from "./roles";
export * from "./scenario";
export { loadSimulation, type Simulation } from "./simulation";
export { createStandIn, StandIn, type StandInOptions } from "./standIn";
export type {
  AccountSnapshot,
  KeyVersionAttributes,
  NewKeyVersion,
  VaultProperties,
} from "./state";
