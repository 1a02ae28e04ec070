import type { Messages } from '../messages.js';

export default {
  crashTitle: 'Volvemos enseguida',
  crashReason: 'El sitio se está reiniciando o no está disponible por un momento.',
  maintenanceTitle: 'Mantenimiento programado',
  maintenanceReason: 'Estamos mejorando el sitio.',
  backTitle: 'El sitio ha vuelto',
  bodyReturn:
    '{reason} Deje esta página abierta: comprueba por sí sola y le lleva de vuelta en cuanto el sitio responda.',
  bodyForm: '{reason} Deje esta página abierta: comprueba por sí sola y le avisa en cuanto el sitio responda.',
  maintenanceUntil: 'Mantenimiento programado · volvemos hacia las {time}, en unos {duration}',
  maintenanceOverdue: 'Mantenimiento programado · previsto hasta las {time}: ya casi está',
  unsentNotice: 'Su formulario no se envió: el sitio no lo recibió. Podrá enviarlo de nuevo en cuanto el sitio vuelva.',
  maybeSentNotice:
    'Es posible que su formulario llegara al sitio antes de que dejara de responder: compruebe si se procesó antes de enviarlo de nuevo.',
  unsentNoticeBack: 'Su formulario no se envió: puede enviarlo de nuevo.',
  maybeSentNoticeBack: 'Es posible que su formulario se recibiera: compruebe si se procesó antes de enviarlo de nuevo.',
  noScript: 'Vuelva a cargar esta página dentro de un rato para intentarlo de nuevo.',
  statusWaiting: 'Nueva comprobación en {seconds} · intento {attempt}',
  statusBusy: 'El sitio ha vuelto y deja entrar a los visitantes poco a poco · nuevo intento en {seconds}',
  statusChecking: 'Comprobando · intento {attempt}',
  statusPaused: 'En pausa mientras esta pestaña está en segundo plano',
  statusGaveUp: 'Comprobaciones detenidas tras el intento {attempt}',
  statusStopped: 'Comprobaciones automáticas detenidas',
  statusBack: 'Le llevamos allí…',
  tryNow: 'Comprobar ahora',
  tryAgain: 'Reintentar',
  stop: 'Detener comprobaciones',
  resume: 'Reanudar comprobaciones',
  backToForm: 'Volver al formulario',
  reloadPage: 'Recargar esta página',
  announceGaveUp: 'Comprobaciones automáticas detenidas. Use Reintentar para comprobar.',
  announceStopped: 'Comprobaciones automáticas detenidas.',
  announceBack: 'El sitio ha vuelto. Le llevamos allí.',
  announceBackUnsent: 'El sitio ha vuelto. Su formulario no se envió: vuelva al formulario o recargue esta página.',
  announceBackMaybeSent:
    'El sitio ha vuelto. Es posible que su formulario se recibiera: compruébelo antes de enviarlo de nuevo.',
} satisfies Messages;
