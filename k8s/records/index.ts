/**
 * The pure mapping from Kubernetes objects to DNS records, for the watcher to call per object:
 * each function returns the records the object owns (provenance `k8s:<kind>/<namespace>/<name>`
 * and its uid) and, for whatever it asked for and does not get, the field, the value and why.
 */
export type * from './types.js';
export { serviceRecords, loadBalancerTargets, type ServiceContext } from './service.js';
export { ingressRecords } from './ingress.js';
export { nodeRecords, type NodeOptions, type NodeAddressSource } from './node.js';
export { dnsEndpointRecords } from './dnsendpoint.js';
export { httpRouteRecords, narrow, type Gateway, type HTTPRoute } from './httproute.js';
export { readyEndpoints, slicesOf, SERVICE_NAME_LABEL } from './endpoints.js';
export { parseSelector, matchesSelector, type Requirement } from './selector.js';
export { parseObjectFilter, filterObject, type ObjectFilter } from './filter.js';
export { ownerOf } from './builder.js';
export { absoluteName, zoneOf } from './names.js';
export * from './annotations.js';
export { isGloballyReachable, reachability } from '../global-address.js';
