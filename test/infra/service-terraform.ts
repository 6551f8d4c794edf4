import { type Block, blocks, nested, Terraform } from './terraform.js';

/** The deployment's Terraform, its Cloud Run service, and that container's env entries by name. */
export async function loadServiceTerraform(): Promise<{
  tf: Terraform;
  service: Block;
  envEntries: Map<string, Block>;
}> {
  const tf = await Terraform.load();
  const service = tf.resource('google_cloud_run_v2_service', 'app');
  const container = nested(service, 'template', 'containers');
  const envEntries = new Map(blocks(container, 'env').map((entry) => [String(entry.name), entry]));
  return { tf, service, envEntries };
}

/** The service's runtime account, as an IAM member. */
export const runtimeMember = (tf: Terraform) =>
  `serviceAccount:${tf.value('google_service_account.runtime.email')}`;
