import { hostname } from 'node:os';
import type { KubeConnection } from './connection.js';
import { kubeRequest, statusMessage } from './request.js';

/** The object an Event is about. */
export interface InvolvedObject {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string | undefined;
  uid: string;
}

/**
 * Records a core/v1 Event on an object, as `kubectl describe` shows it (cluster-scoped objects such
 * as Nodes get theirs in `default`, as the kubelet does). Returns why it could not, or undefined.
 */
export async function postEvent(
  conn: KubeConnection, object: InvolvedObject, type: 'Normal' | 'Warning', reason: string, message: string,
): Promise<string | undefined> {
  const namespace = object.namespace ?? 'default';
  const now = new Date().toISOString();
  const event = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { generateName: `${object.name}.`, namespace },
    involvedObject: { apiVersion: object.apiVersion, kind: object.kind, name: object.name, namespace: object.namespace, uid: object.uid },
    type,
    reason,
    // the API server refuses messages over 1 KiB
    message: message.length > 1000 ? `${message.slice(0, 997)}...` : message,
    source: { component: 'meshdns' },
    reportingComponent: 'meshdns',
    reportingInstance: hostname(),
    firstTimestamp: now,
    lastTimestamp: now,
    count: 1,
  };
  try {
    const response = await kubeRequest(conn, 'POST', `/api/v1/namespaces/${encodeURIComponent(namespace)}/events`, event);
    return response.status === 201 ? undefined : statusMessage(response);
  } catch (err) {
    return (err as Error).message;
  }
}
