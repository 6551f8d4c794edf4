import type { Logger } from '../log.js';

/** Variables every request carries through the Hono context. */
export interface AppEnv {
  Variables: {
    log: Logger;
    /** Set by the session middleware on signed-in routes. */
    userId: string;
  };
}
