import type { Migration } from '@canaduck/db';
import { statsAggregates } from './001-stats-aggregates';
import { forgetPrivateTexts } from './002-forget-private-texts';

/** The stats-service's schema history, oldest first. Never edit a released migration: add one. */
export const migrations: Migration[] = [statsAggregates, forgetPrivateTexts];
