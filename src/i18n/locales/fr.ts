import type { Messages } from '../messages.js';

export default {
  crashTitle: 'Nous revenons tout de suite',
  crashReason: 'Le site redémarre ou est brièvement indisponible.',
  maintenanceTitle: 'Maintenance programmée',
  maintenanceReason: 'Nous améliorons le site.',
  backTitle: 'Le site est de retour',
  bodyReturn:
    '{reason} Gardez cette page ouverte : elle vérifie d’elle-même et vous ramène où vous étiez dès que le site répond.',
  bodyForm: '{reason} Gardez cette page ouverte : elle vérifie d’elle-même et vous prévient dès que le site répond.',
  maintenanceUntil: 'Maintenance programmée · retour vers {time}, dans environ {duration}',
  maintenanceOverdue: 'Maintenance programmée · prévue jusqu’à {time} : c’est presque fini',
  unsentNotice:
    'Votre formulaire n’a pas été envoyé : le site ne l’a pas reçu. Vous pourrez le renvoyer dès que le site sera de retour.',
  maybeSentNotice:
    'Votre formulaire a peut-être atteint le site avant qu’il cesse de répondre : vérifiez s’il a été pris en compte avant de le renvoyer.',
  unsentNoticeBack: 'Votre formulaire n’a pas été envoyé : vous pouvez le renvoyer.',
  maybeSentNoticeBack:
    'Votre formulaire a peut-être été reçu : vérifiez s’il a été pris en compte avant de le renvoyer.',
  noScript: 'Rechargez cette page dans un moment pour réessayer.',
  statusWaiting: 'Nouvelle vérification dans {seconds} · essai {attempt}',
  statusBusy: 'Le site est de retour et laisse entrer les visiteurs peu à peu · nouvel essai dans {seconds}',
  statusChecking: 'Vérification en cours · essai {attempt}',
  statusPaused: 'En pause tant que cet onglet est en arrière-plan',
  statusGaveUp: 'Vérifications arrêtées après l’essai {attempt}',
  statusStopped: 'Vérifications automatiques arrêtées',
  statusBack: 'Nous vous y ramenons…',
  tryNow: 'Vérifier maintenant',
  tryAgain: 'Réessayer',
  stop: 'Arrêter les vérifications',
  resume: 'Reprendre les vérifications',
  backToForm: 'Revenir au formulaire',
  reloadPage: 'Recharger cette page',
  announceGaveUp: 'Vérifications automatiques arrêtées. Utilisez Réessayer pour vérifier.',
  announceStopped: 'Vérifications automatiques arrêtées.',
  announceBack: 'Le site est de retour. Nous vous y ramenons.',
  announceBackUnsent:
    'Le site est de retour. Votre formulaire n’a pas été envoyé : revenez au formulaire ou rechargez cette page.',
  announceBackMaybeSent:
    'Le site est de retour. Votre formulaire a peut-être été reçu : vérifiez avant de le renvoyer.',
} satisfies Messages;
