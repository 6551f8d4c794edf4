import { gcpOngoingCleanupSuite } from './helpers/gcp-ongoing-cleanup-suite.js';

gcpOngoingCleanupSuite('ongoing cleanup in gcp mode with an OpenAI key', {
  owner: 'gcp-sync-llm@example.com',
  openAi: true,
  seed: 1601,
});
