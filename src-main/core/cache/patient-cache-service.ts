import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { DeskError } from '../../../src-shared/ipc/errors';
import type { PatientCard } from '../../../src-shared/patients/patient-card';
import { CacheRepository } from '../db/cache-repository';
import type { PatientSearchResult } from '../db/cache-search';
import { DatabaseError } from '../db/database-error';
import type { Logger } from '../log/logger';
import type { SecretStore } from '../secrets/secret-store';
import type { Service } from '../services/service-registry';
import { loadOrCreateDatabaseKey } from './database-key';

export interface PatientCacheOptions {
  dataDir: string;
  secrets: SecretStore;
  logger: Logger;
  /** Page cache of cache.db; the default keeps a million cards' indexes resident. */
  cacheSizeMb?: number;
}

export interface CacheStatus {
  available: boolean;
  cards: number;
  /** ISO time of the last successful sync; null until the first one. */
  dataAsOf: string | null;
  /** Why the cache is not available, safe to show. */
  problem: string | null;
  /** Where an unreadable cache.db was moved before a fresh one was made. */
  movedAside: string | null;
}

/**
 * Owns cache.db for the desk: opens it with the key from the secret store, and when the file
 * cannot be opened (corrupt, foreign key) moves it aside and starts an empty cache that a full
 * sync refills — the cache is a replica, so nothing only this desk knows is lost. A cache
 * written by a newer version is left alone and reported instead.
 */
export class PatientCacheService implements Service {
  readonly name = 'patient-cache';
  private repository: CacheRepository | null = null;
  private problem: string | null = null;
  private movedAside: string | null = null;

  constructor(private readonly options: PatientCacheOptions) {}

  get path(): string {
    return join(this.options.dataDir, 'cache.db');
  }

  start(): void {
    let key: Buffer;
    try {
      key = loadOrCreateDatabaseKey(this.options.secrets);
    } catch (error) {
      this.problem = (error as Error).message;
      this.options.logger.error('cache.no-key', { error });
      return;
    }
    try {
      this.repository = this.open(key);
    } catch (error) {
      if (error instanceof DatabaseError && (error.code === 'CORRUPT' || error.code === 'WRONG_KEY_OR_NOT_A_DATABASE')) {
        this.movedAside = this.moveAside();
        this.options.logger.warn('cache.rebuilding', { code: error.code, movedTo: this.movedAside });
        this.repository = this.open(key);
        return;
      }
      this.problem = error instanceof DatabaseError ? error.message : 'The patient cache could not be opened.';
      this.options.logger.error('cache.unavailable', { error });
    }
  }

  stop(): void {
    this.repository?.close();
    this.repository = null;
  }

  status(): CacheStatus {
    return {
      available: this.repository !== null,
      cards: this.repository?.count() ?? 0,
      dataAsOf: this.lastSyncedAt(),
      problem: this.problem,
      movedAside: this.movedAside,
    };
  }

  /**
   * "Data as of" without the card count (`status()` counts every card: a scan the screen pop
   * must not pay for). When a page from the MIS was last committed, read from cache.db itself (the
   * cursor's own timestamp, written in the page's transaction), so it survives a restart and
   * is exactly as old as the data the cashier is looking at.
   */
  dataAsOf(): string | null {
    return this.lastSyncedAt();
  }

  private lastSyncedAt(): string | null {
    const at = this.repository?.lastSyncedAt() ?? null;
    return at === null ? null : new Date(at).toISOString();
  }

  /** The open repository, for the sync engine and lookups. */
  require(): CacheRepository {
    if (!this.repository) throw new DeskError('CACHE_UNAVAILABLE', this.problem ?? 'The patient cache is not open.');
    return this.repository;
  }

  search(query: string, limit: number, offset: number): PatientSearchResult {
    return this.require().search(query, { limit, offset });
  }

  getCard(misId: string): PatientCard | null {
    return this.require().getCard(misId);
  }

  /** Some number the cache holds, for warming the screen pop's path; `null` when there is none. */
  samplePhone(): string | null {
    try {
      return this.repository?.anyPhone() ?? null;
    } catch {
      return null;
    }
  }

  byPhone(phone: string): PatientCard[] {
    return this.require().byPhone(phone);
  }

  private open(key: Buffer): CacheRepository {
    const repository = CacheRepository.open({ path: this.path, key, cacheSizeMb: this.options.cacheSizeMb });
    try {
      // The encrypted file's pop pages; the core's start-up warm-up runs the rest of the path.
      repository.warmScreenPop();
    } catch (error) {
      // A warm-up only; a real lookup reports a broken file.
      this.options.logger.warn('cache.warm-up-failed', { error });
    }
    return repository;
  }

  /** Never deletes: the unreadable file and its WAL are renamed so IT can inspect them. */
  private moveAside(): string {
    const aside = `${this.path}.unreadable-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    for (const suffix of ['', '-wal', '-shm']) {
      if (existsSync(this.path + suffix)) renameSync(this.path + suffix, aside + suffix);
    }
    return aside;
  }
}
