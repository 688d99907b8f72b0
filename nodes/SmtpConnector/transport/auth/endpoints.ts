import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { OAUTH2_ENDPOINTS, type OAuth2Endpoints } from '../../../../credentials/common/providers';

/** The token endpoint, grant and scope of an OAuth2 credential, from its preset (or its custom fields). */
export function oauth2Endpoints(credential: ICredentialDataDecryptedObject): OAuth2Endpoints {
	const preset = OAUTH2_ENDPOINTS[String(credential.provider)];
	if (!preset) {
		return {
			grantType: credential.customGrantType === 'clientCredentials' ? 'clientCredentials' : 'authorizationCode',
			tokenUrl: String(credential.customAccessTokenUrl ?? ''),
			scope: String(credential.customScope ?? ''),
		};
	}
	const tenant = encodeURIComponent(String(credential.tenantId || 'organizations'));
	return { ...preset, tokenUrl: preset.tokenUrl.replace('{tenant}', tenant), authUrl: preset.authUrl?.replace('{tenant}', tenant) };
}
