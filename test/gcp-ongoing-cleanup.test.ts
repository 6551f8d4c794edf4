import { gcpOngoingCleanupSuite } from './helpers/gcp-ongoing-cleanup-suite.js';

gcpOngoingCleanupSuite('ongoing cleanup in gcp mode with the rules', {
  owner: 'gcp-sync-rules@example.com',
  openAi: false,
  seed: 1602,
});
