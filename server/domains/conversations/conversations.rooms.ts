/**
 * Socket.IO rooms of the chat. A console connection sits in its shop's room for its role
 * (contractors' room gets masked DTOs) and in its person's room; both namespaces have a room
 * per conversation.
 */
export const rooms = {
  widgetConversation: (id: string) => `wconv:${id}`,
  conversation: (id: string) => `conv:${id}`,
  shop: (shopId: string, masked: boolean) => `shop:${shopId}:${masked ? 'masked' : 'full'}`,
  user: (userId: string) => `user:${userId}`,
  widgetShop: (shopId: string) => `wshop:${shopId}`,
};
