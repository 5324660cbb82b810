export * from './password-hash.js';
export * from './device-acl.js';
export * from './dynsec-bootstrap.js';
export * from './dynsec-commands.js';
export * from './dynsec-client.js';
export * from './dynsec-broker-access.js';
export * from './dynsec-rebuild.js';
