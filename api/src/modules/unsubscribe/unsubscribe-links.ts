import { Inject, Injectable } from '@nestjs/common';
import type { CandorConfig } from '../../config/config';
import { CANDOR_CONFIG } from '../../config/config.module';
import { openUnsubscribeToken, sealUnsubscribeToken, UnsubscribeClaims, UnsubscribeKeys, unsubscribeKeys } from './unsubscribe-token';

/** The body RFC 8058 has a mailbox provider POST, and the header that announces it. */
export const ONE_CLICK_BODY = 'List-Unsubscribe=One-Click';

/** What an allowed email decision carries: the link and the two headers to put on the message as they are. */
export interface UnsubscribeLink {
  url: string;
  headers: {
    'List-Unsubscribe': string;
    'List-Unsubscribe-Post': typeof ONE_CLICK_BODY;
  };
}

/**
 * Builds and reads one-click unsubscribe links (RFC 8058, RFC 2369). A link is
 * `{PORTAL_URL}/{brand}/unsubscribe/{token}`: the portal is the origin people see, and it relays
 * the mailbox provider's POST to the API (docs/api-guide.md, "One-click unsubscribe"). The token
 * is sealed (see unsubscribe-token.ts), so building a link needs no query beyond the decision's own.
 */
@Injectable()
export class UnsubscribeLinks {
  private readonly keys: UnsubscribeKeys;
  private readonly portalUrl: string;

  constructor(@Inject(CANDOR_CONFIG) config: CandorConfig) {
    this.keys = unsubscribeKeys(config.masterKey);
    this.portalUrl = config.portalUrl;
  }

  linkFor(brandSlug: string, claims: UnsubscribeClaims): UnsubscribeLink {
    const url = `${this.portalUrl}/${brandSlug}/unsubscribe/${sealUnsubscribeToken(this.keys, claims)}`;
    return { url, headers: { 'List-Unsubscribe': `<${url}>`, 'List-Unsubscribe-Post': ONE_CLICK_BODY } };
  }

  /** The claims of a token this installation issued, or null (tampered, cut short, foreign). */
  open(token: string): UnsubscribeClaims | null {
    return openUnsubscribeToken(this.keys, token);
  }
}
