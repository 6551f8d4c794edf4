import { describeQuotaLedgerContract } from '../../../test/contract/quota-ledger-contract.js';
import { QuotaScheduler } from './quota-scheduler.js';

describeQuotaLedgerContract('QuotaScheduler as the in-process QuotaLedger', async (setup) => {
  // One process: every "instance" is the process's one scheduler.
  const ledger = new QuotaScheduler(setup);
  return {
    ledgers: Array.from({ length: setup.instances }, () => ledger),
    close: async () => {},
  };
});
