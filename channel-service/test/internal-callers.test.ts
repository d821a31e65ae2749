import { itChecksInternalCallers, testDatabases } from '@canaduck/testing';
import { useApp } from './support';

/** Each internal route serves only the services INTERNAL_CALLERS names (structures.md section 5), with tokens addressed to it. */
describe.each(testDatabases())('channel-service internal routes and their callers (%s)', (kind) => {
  const t = useApp(kind);

  itChecksInternalCallers('channel-service', () => t.app);
});
