// n8n's own logger (winston) would print every failed item of the error-path tests.
process.env.N8N_LOG_LEVEL = 'silent';
