// n8n's own logger (winston) would print every failed item of the error-path tests.
process.env.N8N_LOG_LEVEL = 'silent';
// n8n's instance settings (signing key of resume URLs) live in a throwaway folder, not in ~/.n8n.
process.env.N8N_USER_FOLDER = require('node:fs').mkdtempSync(require('node:path').join(require('node:os').tmpdir(), 'n8n-user-'));
process.env.N8N_HMAC_SIGNATURE_SECRET = 'test-hmac-signature-secret';
