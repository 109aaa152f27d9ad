import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface UserPoolArgs {
  /** The pool's name in the console. */
  poolName: string;
  /** The website's app client's name. */
  clientName: string;
  /** Default true: Cognito refuses to delete the pool (`deletionProtection: ACTIVE`). */
  deletionProtection?: boolean;
  /** Default false: Pulumi `protect` on the pool, so `pulumi destroy` stops at it. */
  protect?: boolean;
  /** Days a refresh token keeps a person signed in; default 30. */
  refreshTokenValidityDays?: number;
  /** Minutes an ID or access token is valid; default 60 (Cognito allows 5 to 1440). */
  tokenValidityMinutes?: number;
}

/**
 * Who may sign in: a Cognito user pool where people sign up with their email address (verified
 * by an emailed code), and an app client for the website, which runs in a browser and so cannot
 * keep a secret.
 */
export class UserPool extends pulumi.ComponentResource {
  readonly userPoolId: pulumi.Output<string>;
  readonly userPoolArn: pulumi.Output<string>;
  readonly clientId: pulumi.Output<string>;

  constructor(name: string, args: UserPoolArgs, opts?: pulumi.ComponentResourceOptions) {
    super("serverless-notes:userPool:UserPool", name, {}, opts);

    // The people: the email address is the sign-in name (the username itself is the `sub`), and
    // an account is usable only once a code sent to that address comes back.
    const pool = new aws.cognito.UserPool(
      name,
      {
        name: args.poolName,
        usernameAttributes: ["email"],
        usernameConfiguration: { caseSensitive: false },
        autoVerifiedAttributes: ["email"],
        verificationMessageTemplate: { defaultEmailOption: "CONFIRM_WITH_CODE" },
        adminCreateUserConfig: { allowAdminCreateUserOnly: false },
        // Length is what makes a password hard to guess (NIST SP 800-63B); 12 characters with
        // mixed case and a digit, no symbol rule, which mostly yields "Password1!".
        passwordPolicy: {
          minimumLength: 12,
          requireLowercase: true,
          requireUppercase: true,
          requireNumbers: true,
          requireSymbols: false,
          temporaryPasswordValidityDays: 7,
        },
        // A forgotten password is reset through the verified email only, never by SMS.
        accountRecoverySetting: {
          recoveryMechanisms: [{ name: "verified_email", priority: 1 }],
        },
        deletionProtection: (args.deletionProtection ?? true) ? "ACTIVE" : "INACTIVE",
      },
      { parent: this, protect: args.protect ?? false },
    );

    // The website's client: public (no secret), password sign-in over TLS plus refresh tokens,
    // short-lived ID and access tokens, and no answer that tells whether an address has an account.
    const tokenMinutes = args.tokenValidityMinutes ?? 60;
    const client = new aws.cognito.UserPoolClient(
      name,
      {
        name: args.clientName,
        userPoolId: pool.id,
        generateSecret: false,
        explicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        idTokenValidity: tokenMinutes,
        accessTokenValidity: tokenMinutes,
        refreshTokenValidity: args.refreshTokenValidityDays ?? 30,
        tokenValidityUnits: { idToken: "minutes", accessToken: "minutes", refreshToken: "days" },
        preventUserExistenceErrors: "ENABLED",
        enableTokenRevocation: true,
      },
      { parent: this },
    );

    this.userPoolId = pool.id;
    this.userPoolArn = pool.arn;
    this.clientId = client.id;
    this.registerOutputs({
      userPoolId: this.userPoolId,
      userPoolArn: this.userPoolArn,
      clientId: this.clientId,
    });
  }
}
