import * as k8s from '@kubernetes/client-node';

const kc = new k8s.KubeConfig();
kc.loadFromDefault();
const api = kc.makeApiClient(k8s.CustomObjectsApi);

export async function deleteNotebook(name: string): Promise<void> {
  await api.deleteNamespacedCustomObject({
    group: 'run.ai',
    version: 'v2alpha1',
    namespace: 'runai-vision',
    plural: 'interactiveworkloads',
    name,
  });
}
