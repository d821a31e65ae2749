// The auth tests sign and check with the settings every service's tests use (HS256, the issuer and
// audience of the real services, a service secret other than the user tokens').
export { testTokenSettings as settings, testServiceSecret as serviceSecret } from '@canaduck/testing';
