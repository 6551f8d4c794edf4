import type { Logger } from '../log.js';

/** Variables every request carries through the Hono context. */
export interface AppEnv {
  Variables: {
    log: Logger;
  };
}
