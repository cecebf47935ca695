/** Throwaway key pairs for tests: the same generators the emulators' world uses. */
export { ecP256KeyPair, rsaKeyPair, type PemKeyPair } from '../../src/emulators/keys.js';
