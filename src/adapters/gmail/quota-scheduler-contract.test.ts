import {
  describeQuotaLedgerContract,
  type LedgerSetup,
} from '../../../test/contract/quota-ledger-contract.js';
import { describeSignInQuotaContract } from '../../../test/contract/quota-ledger-sign-in-contract.js';
import { QuotaScheduler } from './quota-scheduler.js';

const openScheduler = async (setup: LedgerSetup) => {
  // One process: every "instance" is the process's one scheduler.
  const ledger = new QuotaScheduler(setup);
  return {
    ledgers: Array.from({ length: setup.instances }, () => ledger),
    close: async () => {},
  };
};

describeQuotaLedgerContract('QuotaScheduler as the in-process QuotaLedger', openScheduler);
describeSignInQuotaContract('QuotaScheduler counting sign-ins', openScheduler);
