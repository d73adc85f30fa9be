/** Shown wherever the action reached the host with host-key checking off. */
export const INSECURE_WARNING =
  'Host key checking is **off** (`ssh-insecure-skip-host-key-check: true`): this run cannot tell the real host from an impostor.';
