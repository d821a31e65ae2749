import { itChecksInternalCallers, testDatabases } from '@canaduck/testing';
import { useService } from './support';

/** Each internal route serves only the services INTERNAL_CALLERS names (structures.md section 5), with tokens addressed to it. */
describe.each(testDatabases())('user-service internal routes and their callers (%s)', (kind) => {
  const t = useService(kind);

  itChecksInternalCallers('user-service', () => t.app);
});
