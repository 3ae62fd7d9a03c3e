// class-transformer ships the runtime module (cjs/storage.js) and its types (types/storage.d.ts) apart.
declare module 'class-transformer/cjs/storage' {
  export { defaultMetadataStorage } from 'class-transformer/types/storage';
}
