import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '@cdktf/hcl2json';

/**
 * The Terraform in terraform/, parsed with hcl2json (no provider, no network), and a small
 * evaluator for the string templates and references the configuration uses, so tests can
 * compare what Terraform deploys with what the code expects.
 */

export type Block = Record<string, unknown>;

export const TERRAFORM_DIR = join(import.meta.dirname, '..', '..', 'terraform');

/** Values for the variables without a default, and for what only Google knows. */
export interface Inputs {
  readonly variables: Readonly<Record<string, string>>;
  readonly projectNumber: string;
}

export const SAMPLE_INPUTS: Inputs = {
  variables: {
    project_id: 'demo-project',
    google_client_id: '1234567890-abc.apps.googleusercontent.com',
    image_tag: 'v1',
  },
  projectNumber: '123456789012',
};

/** A traversal: `var.x`, `local.x`, `type.name.attr`, `data.type.name.attr`. */
const TRAVERSAL = /^[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*)+$/;

export class Terraform {
  private constructor(
    readonly json: {
      resource: Record<string, Record<string, Block>>;
      data: Record<string, Record<string, Block>>;
      variable: Record<string, Block>;
      output: Record<string, Block>;
      locals: Block;
    },
    private readonly inputs: Inputs,
  ) {}

  static async load(dir = TERRAFORM_DIR, inputs = SAMPLE_INPUTS): Promise<Terraform> {
    const merged = {
      resource: {},
      data: {},
      variable: {},
      output: {},
      locals: {},
    } as Terraform['json'];
    for (const file of readdirSync(dir).filter((name) => name.endsWith('.tf'))) {
      const parsed = (await parse(file, readFileSync(join(dir, file), 'utf8'))) as Record<
        string,
        unknown
      >;
      for (const kind of ['resource', 'data'] as const) {
        const byType = (parsed[kind] ?? {}) as Record<string, Record<string, Block[]>>;
        for (const [type, byName] of Object.entries(byType)) {
          merged[kind][type] ??= {};
          for (const [name, blocks] of Object.entries(byName))
            merged[kind][type][name] = blocks[0]!;
        }
      }
      for (const kind of ['variable', 'output'] as const) {
        const byName = (parsed[kind] ?? {}) as Record<string, Block[]>;
        for (const [name, blocks] of Object.entries(byName)) merged[kind][name] = blocks[0]!;
      }
      for (const locals of (parsed.locals ?? []) as Block[]) Object.assign(merged.locals, locals);
    }
    return new Terraform(merged, inputs);
  }

  /** Every resource of a type, by name. */
  resources(type: string): Record<string, Block> {
    return this.json.resource[type] ?? {};
  }

  resource(type: string, name: string): Block {
    const block = this.resources(type)[name];
    if (!block) throw new Error(`no resource ${type}.${name}`);
    return block;
  }

  get projectId(): string {
    return this.value('var.project_id');
  }

  /** The value of one reference: `value('google_pubsub_topic.gmail.id')`. */
  value(traversal: string): string {
    return this.resolve(ref(traversal));
  }

  /** A string with its `${...}` references replaced by their values. */
  resolve(template: unknown): string {
    if (typeof template !== 'string') throw new Error(`not a string: ${JSON.stringify(template)}`);
    return template.replace(/\$\{([^{}]+)\}/g, (_, expression: string) => {
      const trimmed = expression.trim();
      if (!TRAVERSAL.test(trimmed)) throw new Error(`cannot evaluate \${${expression}}`);
      return this.traverse(trimmed.split('.'));
    });
  }

  /** The `type.name` a `${type.name.attr}` template refers to, if it is only that. */
  static referencedResource(template: unknown): { type: string; name: string } | undefined {
    if (typeof template !== 'string') return undefined;
    const match = /^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)(\.[\w.]+)?\}$/.exec(template);
    return match && !['var', 'local', 'data', 'each'].includes(match[1]!)
      ? { type: match[1]!, name: match[2]! }
      : undefined;
  }

  private traverse(parts: string[]): string {
    const [head, ...rest] = parts;
    if (head === 'var') {
      const name = rest[0]!;
      const given = this.inputs.variables[name];
      if (given !== undefined) return given;
      const fallback = this.json.variable[name]?.default;
      if (fallback === undefined || fallback === null) throw new Error(`var.${name} has no value`);
      return String(fallback);
    }
    if (head === 'local') {
      const value = this.json.locals[rest[0]!];
      if (value === undefined) throw new Error(`no local.${rest[0]}`);
      return this.resolve(value);
    }
    if (head === 'data') {
      const [type, , attribute] = rest;
      if (type === 'google_project' && attribute === 'number') return this.inputs.projectNumber;
      throw new Error(`cannot evaluate data.${rest.join('.')}`);
    }
    const [name, attribute] = rest;
    const block = this.resource(head!, name!);
    return this.attribute(head!, block, attribute!);
  }

  /** An argument of the block, or one of the computed attributes the configuration reads. */
  private attribute(type: string, block: Block, attribute: string): string {
    const project = this.projectId;
    const argument = (key: string) => this.resolve(block[key]);
    const computed: Record<string, Record<string, () => string>> = {
      google_service_account: {
        email: () => `${argument('account_id')}@${project}.iam.gserviceaccount.com`,
        name: () =>
          `projects/${project}/serviceAccounts/${argument('account_id')}@${project}.iam.gserviceaccount.com`,
      },
      google_pubsub_topic: { id: () => `projects/${project}/topics/${argument('name')}` },
      google_pubsub_subscription: {
        id: () => `projects/${project}/subscriptions/${argument('name')}`,
      },
      google_secret_manager_secret: {
        id: () => `projects/${project}/secrets/${argument('secret_id')}`,
      },
      google_cloud_tasks_queue: {
        id: () =>
          `projects/${project}/locations/${argument('location')}/queues/${argument('name')}`,
      },
    };
    const compute = computed[type]?.[attribute];
    if (compute) return compute();
    if (attribute in block) return argument(attribute);
    throw new Error(`cannot evaluate ${type}.${attribute}`);
  }
}

/** A reference as HCL writes it in a string: `ref('var.region')` is `${var.region}`. */
export function ref(traversal: string): string {
  return `\${${traversal}}`;
}

/** The first nested block of a block (hcl2json gives every nested block as a list). */
export function nested(block: Block, ...path: string[]): Block {
  let current: Block = block;
  for (const key of path) {
    const next = (current[key] as Block[] | undefined)?.[0];
    if (!next) throw new Error(`no block ${path.join('.')}`);
    current = next;
  }
  return current;
}

/** The nested blocks of a block under a key, as a list. */
export function blocks(block: Block, key: string): Block[] {
  return (block[key] as Block[] | undefined) ?? [];
}
