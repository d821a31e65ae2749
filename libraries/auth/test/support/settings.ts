import type { TokenSettings } from '@canaduck/auth';

/** The user-token settings of the auth tests: HS256, the issuer and audience of the real services. */
export const settings: TokenSettings = {
  secret: 'a-secret-for-the-auth-tests-32-chars-long!',
  issuer: 'canaduck-user-service',
  audience: 'canaduck-irc',
  algorithm: 'HS256',
};

/** Service tokens' secret: another one than the user tokens'. */
export const serviceSecret = 'another-secret-for-service-tokens-32-chars';
