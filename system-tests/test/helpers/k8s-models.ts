import * as models from 'kubernetes-models';

/** The kubernetes-models class of an object, when it is a core kind (Traefik CRDs have none). */
export function modelOf(o: { apiVersion: string; kind: string }): (new (data: unknown) => { validate(): void }) | undefined {
  const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
  const moduleName = group === '' ? 'v1' : group.replace(/\.(\w)/g, (_m, c: string) => c.toUpperCase()).replace(/\./g, '');
  const groupModule = (group === '' ? models : (models as Record<string, unknown>)[moduleName]) as Record<string, unknown> | undefined;
  const versionModule = (group === '' ? groupModule?.v1 : groupModule?.[version]) as Record<string, unknown> | undefined;
  return versionModule?.[o.kind] as (new (data: unknown) => { validate(): void }) | undefined;
}
