import type { Messages } from '../messages.js';

export default {
  crashTitle: 'Voltamos já',
  crashReason: 'O site está a reiniciar ou indisponível por instantes.',
  maintenanceTitle: 'Manutenção programada',
  maintenanceReason: 'Estamos a melhorar o site.',
  backTitle: 'O site voltou',
  bodyReturn:
    '{reason} Mantenha esta página aberta: ela verifica sozinha e leva-o de volta assim que o site responder.',
  bodyForm: '{reason} Mantenha esta página aberta: ela verifica sozinha e avisa-o assim que o site responder.',
  maintenanceUntil: 'Manutenção programada · voltamos por volta das {time}, daqui a cerca de {duration}',
  maintenanceOverdue: 'Manutenção programada · prevista até às {time}: está quase',
  unsentNotice:
    'O seu formulário não foi enviado: o site não o recebeu. Poderá enviá-lo novamente assim que o site voltar.',
  maybeSentNotice:
    'O seu formulário pode ter chegado ao site antes de este deixar de responder: verifique se foi processado antes de o enviar novamente.',
  unsentNoticeBack: 'O seu formulário não foi enviado: pode enviá-lo novamente.',
  maybeSentNoticeBack:
    'O seu formulário pode ter sido recebido: verifique se foi processado antes de o enviar novamente.',
  noScript: 'Recarregue esta página daqui a pouco para tentar novamente.',
  statusWaiting: 'Nova verificação em {seconds} · tentativa {attempt}',
  statusBusy: 'O site voltou e está a deixar entrar os visitantes aos poucos · nova tentativa em {seconds}',
  statusChecking: 'A verificar · tentativa {attempt}',
  statusPaused: 'Em pausa enquanto este separador está em segundo plano',
  statusGaveUp: 'Verificações paradas após a tentativa {attempt}',
  statusStopped: 'Verificações automáticas paradas',
  statusBack: 'A levá-lo até lá…',
  tryNow: 'Verificar agora',
  tryAgain: 'Tentar novamente',
  stop: 'Parar verificações',
  resume: 'Retomar verificações',
  backToForm: 'Voltar ao formulário',
  reloadPage: 'Recarregar esta página',
  announceGaveUp: 'Verificações automáticas paradas. Use Tentar novamente para verificar.',
  announceStopped: 'Verificações automáticas paradas.',
  announceBack: 'O site voltou. A levá-lo até lá.',
  announceBackUnsent: 'O site voltou. O seu formulário não foi enviado: volte ao formulário ou recarregue esta página.',
  announceBackMaybeSent:
    'O site voltou. O seu formulário pode ter sido recebido: verifique antes de o enviar novamente.',
} satisfies Messages;
