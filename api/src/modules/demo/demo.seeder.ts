import { Inject, Injectable } from '@nestjs/common';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrandActor } from '../../common/authz/actor';
import type { CandorConfig } from '../../config/config';
import { CANDOR_CONFIG } from '../../config/config.module';
import { ApiKeysService } from '../api-keys/api-keys.service';
import { BrandsService } from '../brands/brands.service';
import { ProfilesService } from '../profiles/profiles.service';
import { ConsentLedgerService } from '../consents/consent-ledger.service';
import { PurposesService } from '../purposes/purposes.service';
import { SubjectsService } from '../subjects/subjects.service';
import { FactsService } from '../facts/facts.service';
import { PreferencesService } from '../preferences/preferences.service';
import { QuestionsService } from '../questions/questions.service';
import { RecommendationsService } from '../recommendations/recommendations.service';
import { SignInService } from '../auth/sign-in.service';
import { DictionaryService } from '../dictionary/dictionary.service';
import { FactUseService } from '../fact-use/fact-use.service';
import { DEMO_BRANDS, DemoBrand } from './demo-data';

/** A ready-to-open portal sign-in for one demo customer. */
export interface DemoPortalLink {
  brand: string;
  slug: string;
  email: string;
  url: string;
  expiresAt: string;
}

/**
 * Seeds the demo brands through the same services the API uses, once: a brand that already exists
 * keeps whatever the newcomer changed. Only what a demo brand seeded before the data dictionary
 * lacks is added to it on start: dictionary entries it does not have yet, and catalogue titles
 * still exactly as first seeded (in English only) get their translations.
 */
@Injectable()
export class DemoSeeder {
  constructor(
    private readonly brands: BrandsService,
    private readonly purposes: PurposesService,
    private readonly subjects: SubjectsService,
    private readonly ledger: ConsentLedgerService,
    private readonly facts: FactsService,
    private readonly preferences: PreferencesService,
    private readonly questions: QuestionsService,
    private readonly recommendations: RecommendationsService,
    private readonly apiKeys: ApiKeysService,
    private readonly profiles: ProfilesService,
    private readonly signIn: SignInService,
    private readonly dictionary: DictionaryService,
    private readonly factUse: FactUseService,
    @Inject(CANDOR_CONFIG) private readonly config: CandorConfig,
  ) {}

  /**
   * "Who looked?": the brand's newsletter service reads the first customer's profile for email
   * marketing, through its own narrow key, so the portal's Activity page has something true to show.
   */
  private async newsletterRead(brandId: string, demo: (typeof DEMO_BRANDS)[number]): Promise<void> {
    const first = demo.customers[0];
    if (!first.consents.email_marketing) return;
    const system: BrandActor = { kind: 'system', brandId, name: 'demo-seed' };
    const key = await this.apiKeys.create(system, {
      name: 'Newsletter service',
      label: demo.newsletterLabel,
      scopes: ['profiles:read', 'consents:read'],
      purposes: ['email_marketing'],
    });
    const { data } = await this.subjects.list(system, { externalId: first.externalId });
    const reader: BrandActor = { kind: 'apiKey', brandId, keyId: key.id, name: key.name, scopes: key.scopes, purposes: key.purposes };
    await this.profiles.read(reader, data[0].id, 'email_marketing');
  }

  /**
   * A fresh one-time portal link for the first demo customer of each demo brand, for the banner
   * (a newcomer sees the portal as a customer with one click). Made on every start: links are
   * single-use and expire.
   */
  async portalLinks(): Promise<DemoPortalLink[]> {
    const links: DemoPortalLink[] = [];
    for (const demo of DEMO_BRANDS) {
      const brand = await this.brands.findBySlug(demo.slug);
      if (!brand) continue;
      const system: BrandActor = { kind: 'system', brandId: brand.id, name: 'demo-banner' };
      const customer = demo.customers[0];
      const { data } = await this.subjects.list(system, { externalId: customer.externalId });
      if (!data.length) continue; // erased or merged away by the newcomer
      const link = await this.signIn.issuePortalLink(system, data[0].id);
      links.push({ brand: demo.name, slug: demo.slug, email: customer.email, url: link.url, expiresAt: link.expiresAt });
    }
    return links;
  }

  /** The brand's words for its fact keys, values, sources and topics, in the five languages. */
  private async seedDictionary(actor: BrandActor, demo: DemoBrand): Promise<void> {
    for (const { key, ...entry } of demo.dictionary.factKeys) await this.dictionary.putFactKey(actor, key, entry);
    for (const { key, label } of demo.dictionary.sources) await this.dictionary.putLabel(actor, 'source', key, { label });
    for (const { key, label } of demo.dictionary.topics) await this.dictionary.putLabel(actor, 'topic', key, { label });
  }

  /**
   * A demo brand seeded before it had a dictionary: adds the entries it lacks (never replacing one
   * the newcomer wrote) and translates catalogue titles still exactly as first seeded.
   */
  private async completeDictionary(actor: BrandActor, demo: DemoBrand): Promise<void> {
    const keys = await this.dictionary.listFactKeys(actor, { limit: 200 });
    const sources = await this.dictionary.listLabels(actor, 'source', { limit: 200 });
    const topics = await this.dictionary.listLabels(actor, 'topic', { limit: 200 });
    const has = (page: { data: Array<{ key: string }> }) => new Set(page.data.map((e) => e.key));
    const [knownKeys, knownSources, knownTopics] = [has(keys), has(sources), has(topics)];
    for (const { key, ...entry } of demo.dictionary.factKeys) if (!knownKeys.has(key)) await this.dictionary.putFactKey(actor, key, entry);
    for (const { key, label } of demo.dictionary.sources) if (!knownSources.has(key)) await this.dictionary.putLabel(actor, 'source', key, { label });
    for (const { key, label } of demo.dictionary.topics) if (!knownTopics.has(key)) await this.dictionary.putLabel(actor, 'topic', key, { label });
    const items = new Map<string, { title: unknown }>();
    for (let cursor: string | undefined, first = true; first || cursor; first = false) {
      const page = await this.recommendations.listItems(actor, { limit: 200, cursor });
      for (const item of page.data) items.set(item.sku, item);
      cursor = page.nextCursor ?? undefined;
    }
    const untranslated = demo.catalog.filter((d) => items.get(d.sku)?.title === d.title.en);
    if (untranslated.length) await this.recommendations.upsertMany(actor, untranslated);
  }

  /** A demo brand seeded before some of its questions existed (the follow-up, say) gets them, asked after its own. */
  private async completeQuestions(actor: BrandActor, demo: DemoBrand): Promise<void> {
    const known = new Set((await this.questions.list(actor, { limit: 200 })).data.map((q) => q.key));
    for (const question of demo.questions) if (!known.has(question.key)) await this.questions.create(actor, question);
  }

  /** Returns banner lines describing what was seeded (including new API keys, shown once). */
  async seed(): Promise<string[]> {
    const lines: string[] = [];
    for (const demo of DEMO_BRANDS) {
      const existing = await this.brands.findBySlug(demo.slug);
      if (existing) {
        const actor: BrandActor = { kind: 'system', brandId: existing.id, name: 'demo-seed' };
        await this.completeQuestions(actor, demo);
        await this.completeDictionary(actor, demo);
        continue;
      }
      const brand = await this.brands.create({ kind: 'operator' }, { slug: demo.slug, name: demo.name, defaultLocale: demo.defaultLocale });
      const actor: BrandActor = { kind: 'system', brandId: brand.id, name: 'demo-seed' };
      for (const key of demo.purposes) await this.purposes.adopt(actor, key);
      for (const question of demo.questions) await this.questions.create(actor, question);
      await this.seedDictionary(actor, demo);
      await this.recommendations.upsertMany(actor, demo.catalog);
      for (const customer of demo.customers) {
        const { subject } = await this.subjects.create(actor, {
          externalId: customer.externalId,
          email: customer.email,
          phone: customer.phone,
          locale: customer.locale,
          timezone: customer.timezone,
        });
        for (const [purpose, granted] of Object.entries(customer.consents)) {
          // A withdrawal in the demo follows an earlier grant, as it would in life.
          if (!granted) await this.ledger.recordDecision(actor, subject.id, { purpose, granted: true, source: 'signup-form' });
          await this.ledger.recordDecision(actor, subject.id, { purpose, granted, source: granted ? 'signup-form' : 'preference-center' });
        }
        for (const fact of customer.facts ?? []) {
          const { daysAgo, ...rest } = fact;
          await this.facts.recordForSubject(actor, subject.id, { ...rest, collectedAt: new Date(Date.now() - daysAgo * 86400_000) });
        }
        if (customer.preferences) {
          await this.preferences.update(brand.id, subject.id, '"prefs-v0"', customer.preferences, { actor, source: 'preference-center' });
        }
        // As the customer chose it in the portal.
        for (const [purpose, use] of Object.entries(customer.factUse ?? {})) {
          await this.factUse.setMine({ kind: 'customer', brandId: brand.id, subjectId: subject.id, sessionId: 'demo-seed' }, purpose, use);
        }
      }
      await this.newsletterRead(brand.id, demo);
      lines.push(`  Demo brand   ${demo.name} (${demo.slug}) API key ${brand.apiKey.key}`);
    }
    if (lines.length && !this.config.databaseUrl) {
      writeFileSync(join(this.config.dataDir, 'demo-keys.txt'), lines.map((l) => l.trim()).join('\n') + '\n', { mode: 0o600 });
    }
    if (!lines.length) lines.push(`  Demo brands  calm-harbor, kitchen-atelier (keys were printed on the first start${this.config.databaseUrl ? '' : `; see ${this.config.dataDir}/demo-keys.txt`})`);
    return lines;
  }
}
