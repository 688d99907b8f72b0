const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text or an attribute value, safe to put into HTML. */
export const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => ENTITIES[c]);

export const FONT = "-apple-system,'Segoe UI',Helvetica,Arial,sans-serif";

export const COLORS = {
	approve: '#15803d',
	decline: '#b91c1c',
	respond: '#1d4ed8',
	text: '#111827',
	muted: '#6b7280',
	body: '#374151',
	border: '#e3e5e8',
	page: '#f4f5f7',
};
