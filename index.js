// n8n finds the node and the credential through the "n8n" section of package.json; nothing to export here.
module.exports = {};
