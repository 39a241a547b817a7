/**
 * The From display name of mail to the shop's customers: the sender name the owner set, else
 * the shop's name (what the customer knows the shop by). Internal mail (invitations) keeps
 * madoguchi's own name.
 */
export const senderNameOf = (shop: { name: string; mailSenderName: string | null }): string => shop.mailSenderName ?? shop.name;
