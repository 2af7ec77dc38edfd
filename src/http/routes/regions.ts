/**
 * Regions: read the catalogue (every role), and register a custom child region (开发区, 新区)
 * under an official region that the bureau's key covers (or as an admin).
 */
import { z } from 'zod';
import { handleCommand } from '../../../commands/handle-command.js';
import { regionDecider } from '../../../commands/regions/decider.js';
import { customRegionCode, parentCodeOf, regionName, regionStreamId } from '../../../commands/regions/events.js';
import { chinaDateOf, isoDate } from '../../../commands/shared/dates.js';
import { regionCode } from '../../../commands/shared/region-code.js';
import type { Clock } from '../../clock.js';
import type { EventStore } from '../../event-store/port.js';
import type { Region, RegionCatalogue } from '../../regions/catalogue.js';
import { applyCommitted } from '../../regions/follow-streams.js';
import { ALL_ROLES } from '../auth/authenticate.js';
import { assertCovers } from '../auth/region-scope.js';
import { commandHeaders, runCommandRequest } from '../command-request.js';
import { errors } from '../errors.js';
import type { ZodApp } from '../zod-app.js';

export interface RegionRoutesDeps {
  readonly store: EventStore;
  readonly regions: RegionCatalogue;
  readonly clock: Clock;
}

const LEVELS = ['country', 'province', 'city', 'county', 'township', 'custom'] as const;

const regionRef = z.object({
  code: z.string(),
  name: z.string(),
  level: z.enum(LEVELS),
  custom: z.boolean().meta({ description: 'Registered by a bureau (开发区, 新区), not a GB/T 2260 code' }),
});

const regionView = regionRef.extend({
  fullName: z.string().meta({ example: '河北省衡水市枣强县' }),
  parent: regionRef.nullable(),
  children: z.array(regionRef),
});

const registerBody = z.strictObject({
  code: customRegionCode(),
  name: regionName(),
  occurredOn: isoDate().optional().meta({ description: 'When the region was set up; today when absent' }),
});

const tags = ['regions'];

export async function regionRoutes(app: ZodApp, deps: RegionRoutesDeps): Promise<void> {
  const { regions } = deps;
  const ref = (region: Region): z.output<typeof regionRef> => ({ code: region.code, name: region.name, level: region.level, custom: region.custom });
  const viewOf = (region: Region): z.output<typeof regionView> => {
    const parent = region.parent === undefined ? undefined : regions.get(region.parent);
    return {
      ...ref(region),
      fullName: regions.fullName(region.code) ?? region.name,
      parent: parent === undefined ? null : ref(parent),
      children: regions.childrenOf(region.code).map(ref),
    };
  };

  app.post('/v1/regions', {
    config: { roles: ['bureau', 'admin'] },
    schema: {
      tags, summary: 'Register a custom child region (开发区, 新区) under an official region; If-Match and Idempotency-Key as for every command',
      body: registerBody,
      headers: commandHeaders,
      response: {
        201: z.object({ code: z.string(), parentCode: z.string(), name: z.string(), revision: z.number().int(), position: z.number().int(), events: z.array(z.string()) }),
      },
    },
  }, async (request, reply) => {
    const { code, name } = request.body;
    const parentCode = parentCodeOf(code);
    assertCovers(request.actor, parentCode);
    const parent = regions.get(parentCode);
    const today = chinaDateOf(deps.clock.now());
    const command = {
      type: 'RegisterCustomRegion' as const, code, name, today,
      occurredOn: request.body.occurredOn ?? today,
      parent: parent === undefined ? undefined : { code: parent.code, level: parent.level, grouping: parent.grouping },
    };
    const streamId = regionStreamId(code);
    return runCommandRequest(request, reply, {
      store: deps.store,
      actor: request.actor,
      streamId,
      successStatus: 201,
      answerFields: { code, parentCode, name },
      location: `/v1/regions/${code}`,
      execute: async (context) => {
        const result = await handleCommand(deps.store, streamId, regionDecider, command, context);
        // Known to the catalogue before the answer: a key for it can be issued next.
        await applyCommitted(deps.store, streamId, result, (event) => regions.apply(event));
        return result;
      },
    });
  });

  app.get('/v1/regions/:code', {
    config: { roles: ALL_ROLES },
    schema: { tags, summary: 'A region: its name, level, parent and children', params: z.object({ code: regionCode() }), response: { 200: regionView } },
  }, async (request) => {
    const region = regions.get(request.params.code);
    if (region === undefined) throw new errors.NotFound(`region ${request.params.code} is not known`);
    return viewOf(region);
  });
}
