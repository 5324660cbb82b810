import { Id } from '@neurolift/contracts';
import { DeviceKind, type RegistryAdmin } from '@neurolift/tenancy';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { principalOf } from '../access/access-hook.js';
import { badRequest, sendResult } from './admin-reply.js';

const DeviceParams = z.object({ deviceId: Id });
/** A chosen password must be long enough to resist guessing over the broker; default: a random one. */
const Password = z.string().min(16, 'must be at least 16 characters').max(256);
const NewDevice = z.object({ id: Id, kind: DeviceKind, gyms: z.array(Id).min(1).max(1000), password: Password.optional() }).strict();
const Rotation = z.object({ password: Password.optional() }).strict();

/**
 * The device registry of the caller's tenant (admins): `GET/POST /v1/devices`, `GET/DELETE
 * /v1/devices/:deviceId`, `POST .../disable|enable|rotate`. A new or rotated password is in the answer
 * once and nowhere else; another tenant's device answers 404.
 */
export function registerDeviceRoutes(app: FastifyInstance, deps: { readonly admin: RegistryAdmin }): void {
  void app.register(
    async (v1) => {
      v1.get('/devices', async (request) => ({ devices: await deps.admin.listDevices(principalOf(request)) }));

      v1.post('/devices', async (request, reply) => {
        const body = NewDevice.safeParse(request.body ?? {});
        if (!body.success) return badRequest(reply, body.error);
        const { password, ...rest } = body.data;
        return sendResult(reply, await deps.admin.addDevice(principalOf(request), { ...rest, ...(password === undefined ? {} : { password }) }), 201);
      });

      v1.get('/devices/:deviceId', async (request, reply) => {
        const params = DeviceParams.safeParse(request.params);
        if (!params.success) return badRequest(reply, params.error);
        return sendResult(reply, await deps.admin.getDevice(principalOf(request), params.data.deviceId));
      });

      v1.delete('/devices/:deviceId', async (request, reply) => {
        const params = DeviceParams.safeParse(request.params);
        if (!params.success) return badRequest(reply, params.error);
        return sendResult(reply, await deps.admin.removeDevice(principalOf(request), params.data.deviceId));
      });

      for (const enabled of [false, true]) {
        v1.post(`/devices/:deviceId/${enabled ? 'enable' : 'disable'}`, async (request, reply) => {
          const params = DeviceParams.safeParse(request.params);
          if (!params.success) return badRequest(reply, params.error);
          return sendResult(reply, await deps.admin.setEnabled(principalOf(request), params.data.deviceId, enabled));
        });
      }

      v1.post('/devices/:deviceId/rotate', async (request, reply) => {
        const params = DeviceParams.safeParse(request.params);
        if (!params.success) return badRequest(reply, params.error);
        const body = Rotation.safeParse(request.body ?? {});
        if (!body.success) return badRequest(reply, body.error);
        return sendResult(reply, await deps.admin.rotatePassword(principalOf(request), params.data.deviceId, body.data.password));
      });
    },
    { prefix: '/v1' },
  );
}
