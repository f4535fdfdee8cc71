// `node --import ./register-fs-glob.mjs <suite>`: installs fs-glob-hooks.mjs.
import { register } from 'node:module';

register('./fs-glob-hooks.mjs', import.meta.url);
