import { itChecksInternalCallers, testDatabases } from '@canaduck/testing';
import { useWorldApp } from './support';

/** Each internal route serves only the services INTERNAL_CALLERS names (structures.md section 5), with tokens addressed to it. */
describe.each(testDatabases())('message-service internal routes and their callers (%s)', (kind) => {
  const { t } = useWorldApp(kind);

  itChecksInternalCallers('message-service', () => t.app);
});
