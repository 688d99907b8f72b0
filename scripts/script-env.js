const path = require('node:path');

/**
 * The environment of `npm start`, `npm run bench` and `npm run screenshots`: n8n-core keeps its instance
 * settings (an encryption key it generates) in N8N_USER_FOLDER, which defaults to HOME — so they go
 * under out/ instead, and a demo leaves the user's home alone.
 */
exports.scriptEnv = (root, env = process.env) => ({ ...env, N8N_USER_FOLDER: env.N8N_USER_FOLDER || path.join(root, 'out', 'n8n-user') });
